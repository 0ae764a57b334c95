-- metric_values: one row per report x metric x applicant (grain: sha256, metric, applicant), with the raw
-- text and evidence, labelled from the metric dictionary. Ids missing from the dictionary keep null labels
-- (a blocking check elsewhere catches them) rather than being dropped here.
--
-- Values are as extracted from each document alone, except run-together table-2 cells the document left
-- empty (an extraction_doubt) that the same agency's adjacent-year reports decide (series_resolution,
-- pipelines/extract/series.py): those carry the decided value and digits, semantic 'number', and
-- resolved_by (the chain rule) / resolved_with (JSON list of the reports it linked). resolved_by is null
-- for every value read from the document alone; evidence_text keeps the run as printed.
with

values_extracted as (
    select * from lake_metric_values
),

resolution as (
    select * from series_resolution
),

resolved as (
    select
        values_extracted.* replace (
            coalesce(values_extracted.value, resolution.value) as value,
            coalesce(resolution.raw, values_extracted.raw) as raw,
            case when resolution.report_id is null then values_extracted.semantic else 'number' end as semantic
        ),
        resolution.resolved_by,
        resolution.resolved_with
    from values_extracted
    left join resolution
        on resolution.report_id = values_extracted.sha256
        and resolution.metric = values_extracted.metric
        and values_extracted.applicant is null
        and values_extracted.value is null
),

dictionary as (
    select metric, label_zh, unit from metric_dictionary
),

labelled as (
    select
        resolved.*,
        dictionary.label_zh,
        dictionary.unit
    from resolved
    left join dictionary using (metric)
)

select * from labelled
order by sha256, metric, applicant
