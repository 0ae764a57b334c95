-- metric_dictionary: one row per metric id (grain: metric), the single source of truth for ids, labels,
-- units and which report formats carry the metric. $metrics_csv (pipelines/metrics.csv) is bound by the
-- builder.
--
-- The file is read one line per row and split on the first seven commas, so the last column
-- (description, free English text) may contain unquoted commas — the spec file has such a line
-- (t3.result.other), which a strict CSV reader rejects and a lenient one silently truncates. The other
-- seven columns never contain commas. A line with fewer than eight fields fails the build loudly.
with

source_lines as (
    select line
    from read_csv(
        $metrics_csv,
        header = true,
        auto_detect = false,
        delim = '\t',
        quote = '',
        escape = '',
        columns = {'line': 'varchar'}
    )
    where trim(line) <> ''
),

split_lines as (
    select
        line,
        regexp_extract(
            line,
            '^([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),(.*)$',
            ['metric_id', 'report_table', 'formats', 'label_zh', 'column_zh', 'unit', 'kind', 'description']
        ) as fields
    from source_lines
),

renamed as (
    select
        case
            when fields.metric_id = '' then error('metrics.csv: line without 8 fields or metric id: ' || line)
            else fields.metric_id
        end as metric,
        fields.report_table,
        fields.formats,
        string_split(fields.formats, ';') as format_list,
        fields.label_zh,
        nullif(fields.column_zh, '') as column_zh,
        fields.unit,
        fields.kind,
        fields.description
    from split_lines
)

select * from renamed
order by metric
