-- metric_values: one row per report x metric x applicant as extracted (grain: sha256, metric, applicant),
-- with the raw text and evidence, labelled from the metric dictionary. Ids missing from the dictionary
-- keep null labels (a blocking check elsewhere catches them) rather than being dropped here.
with

values_extracted as (
    select * from lake_metric_values
),

dictionary as (
    select metric, label_zh, unit from metric_dictionary
),

labelled as (
    select
        values_extracted.*,
        dictionary.label_zh,
        dictionary.unit
    from values_extracted
    left join dictionary using (metric)
)

select * from labelled
order by sha256, metric, applicant
