-- metric_values: one row per report x metric x applicant as extracted (grain: sha256, metric, applicant),
-- with the raw text and evidence, labelled from the metric dictionary. Ids missing from the dictionary
-- keep null labels (a blocking check elsewhere catches them) rather than being dropped here.
--
-- For a run-together table-2 cell the document left empty (an extraction_doubt), suggested_value is
-- what the same agency's adjacent-year reports would decide if the year-to-year chain held
-- (series_suggestions, pipelines/extract/series.py), with suggested_by (the chain rule) and
-- suggested_with (JSON list of the reports it linked). It is a lead for a reviewer, not a reading:
-- value stays null, and nothing downstream uses the suggestion.
with

values_extracted as (
    select * from lake_metric_values
),

suggestions as (
    select * from series_suggestions
),

suggested as (
    select
        values_extracted.*,
        suggestions.value as suggested_value,
        suggestions.suggested_by,
        suggestions.suggested_with
    from values_extracted
    left join suggestions
        on suggestions.report_id = values_extracted.sha256
        and suggestions.metric = values_extracted.metric
        and values_extracted.applicant is null
        and values_extracted.value is null
),

dictionary as (
    select metric, label_zh, unit from metric_dictionary
),

labelled as (
    select
        suggested.*,
        dictionary.label_zh,
        dictionary.unit
    from suggested
    left join dictionary using (metric)
)

select * from labelled
order by sha256, metric, applicant
