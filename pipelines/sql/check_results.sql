-- check_results: one row per check instance run on the sources, with its status (grain: scope, check_id,
-- agency_id, year, report_id, metric, applicant, subject). status is 'passed', 'failed' or
-- 'not_assessable'. agency_id comes from the agency registry through reports, as in agency_year.
--
-- scope 'cross_report': the rows of cross_report_checks as they are.
-- scope 'report': the per-report identities (pipelines/extract/identities.py and the legacy breakdown in
-- narrative.py) record only their failures, so the instances are rebuilt here from what was extracted,
-- with the same operands:
--   t3.identity.received_vs_results  per table-3 column: new, carried_over, result.total, carried_forward
--   t3.identity.outcomes_sum         per table-3 column: result.total and every outcome row of the report's
--                                    layout (the three 2021 （六） sub-rows when the report has any, else
--                                    the single （六） row)
--   t3.identity.row_sum              per table-3 row: total and the six applicant columns
--   t3.identity.org_subtotal         per table-3 row printing 小计: it and the five organisation columns
--   t4.identity.block_total          per table-4 block: upheld, corrected, other, pending, total
--   narrative.identity.vs_table      per narrative total with its table cells present (applications vs
--                                    t3.received.new total; reconsideration; litigation direct + after review)
--   legacy.identity.breakdown_sum    per narrative reconsideration / litigation total whose sentence states a
--                                    breakdown (其中 … N件)
-- An instance exists when at least one operand was extracted; it is not assessable when an operand is
-- blank, N/A, text or missing, failed when the lake holds its finding, passed otherwise. A finding the
-- rules above would not have produced still counts as failed (full join), so counts never lose a finding.
-- extraction_doubt is about the extraction, not the source: it is not a check here.
with

cell_values as (
    select sha256 as report_id, metric, applicant, value, raw
    from metric_values
),

report_places as (
    select report_id, agency_id, agency, year
    from reports
),

table3_columns as (
    select distinct report_id, applicant
    from cell_values
    where starts_with(metric, 't3.') and applicant is not null
),

balance_instances as (
    select
        columns.report_id,
        't3.identity.received_vs_results' as check_id,
        't3.result.total' as metric,
        columns.applicant,
        count(cell.value) = 4 as assessable
    from table3_columns as columns
    left join cell_values as cell
        on cell.report_id = columns.report_id
        and cell.applicant = columns.applicant
        and cell.metric in ('t3.received.new', 't3.received.carried_over', 't3.result.total', 't3.carried_forward')
    group by all
),

outcome_rows as (
    select
        metric,
        starts_with(metric, 't3.result.other.') as is_other_subrow,
        metric = 't3.result.other' as is_other_row
    from metric_dictionary
    where starts_with(metric, 't3.result.') and metric <> 't3.result.total'
),

report_layouts as (
    select report_id, bool_or(starts_with(metric, 't3.result.other.')) as has_other_subrows
    from cell_values
    group by report_id
),

expected_outcomes as (
    select columns.report_id, columns.applicant, outcome_rows.metric
    from table3_columns as columns
    join report_layouts using (report_id)
    join outcome_rows
        on (not outcome_rows.is_other_subrow and not outcome_rows.is_other_row)
        or (outcome_rows.is_other_subrow and report_layouts.has_other_subrows)
        or (outcome_rows.is_other_row and not report_layouts.has_other_subrows)
),

outcome_instances as (
    select
        expected.report_id,
        't3.identity.outcomes_sum' as check_id,
        't3.result.total' as metric,
        expected.applicant,
        count(cell.value) = count(*) and max(total.value) is not null as assessable
    from expected_outcomes as expected
    left join cell_values as cell
        on cell.report_id = expected.report_id
        and cell.applicant = expected.applicant
        and cell.metric = expected.metric
    left join cell_values as total
        on total.report_id = expected.report_id
        and total.applicant = expected.applicant
        and total.metric = 't3.result.total'
    group by all
),

table3_rows as (
    select distinct report_id, metric
    from cell_values
    where starts_with(metric, 't3.') and applicant is not null
),

row_sum_instances as (
    select
        table3_rows.report_id,
        't3.identity.row_sum' as check_id,
        table3_rows.metric,
        'total' as applicant,
        count(cell.value) = 7 as assessable
    from table3_rows
    left join cell_values as cell
        on cell.report_id = table3_rows.report_id
        and cell.metric = table3_rows.metric
        and cell.applicant in (
            'total', 'natural_person', 'commercial', 'research', 'social_welfare', 'legal_services', 'other_org'
        )
    group by all
),

org_subtotal_instances as (
    select
        subtotal.report_id,
        't3.identity.org_subtotal' as check_id,
        subtotal.metric,
        'org_subtotal' as applicant,
        count(cell.value) = 5 and max(subtotal.value) is not null as assessable
    from cell_values as subtotal
    left join cell_values as cell
        on cell.report_id = subtotal.report_id
        and cell.metric = subtotal.metric
        and cell.applicant in ('commercial', 'research', 'social_welfare', 'legal_services', 'other_org')
    where starts_with(subtotal.metric, 't3.') and subtotal.applicant = 'org_subtotal'
    group by all
),

table4_blocks as (
    select distinct report_id, regexp_extract(metric, '^(t4\.[a-z_]+)\.', 1) as block
    from cell_values
    where starts_with(metric, 't4.')
),

block_instances as (
    select
        table4_blocks.report_id,
        't4.identity.block_total' as check_id,
        table4_blocks.block || '.total' as metric,
        null::varchar as applicant,
        count(cell.value) = 5 as assessable
    from table4_blocks
    left join cell_values as cell
        on cell.report_id = table4_blocks.report_id
        and cell.metric in (
            table4_blocks.block || '.upheld',
            table4_blocks.block || '.corrected',
            table4_blocks.block || '.other',
            table4_blocks.block || '.pending',
            table4_blocks.block || '.total'
        )
    group by all
),

narrative_pairs as (
    select *
    from (
        values
            ('n.applications.received', 't3.received.new', 'total'),
            ('n.reconsideration.total', 't4.reconsideration.total', null),
            ('n.litigation.total', 't4.litigation_direct.total', null),
            ('n.litigation.total', 't4.litigation_after_review.total', null)
    ) as pairs(narrative_metric, table_metric, table_applicant)
),

narrative_instances as (
    select
        narrative.report_id,
        'narrative.identity.vs_table' as check_id,
        narrative.metric,
        null::varchar as applicant,
        max(narrative.value) is not null and count(table_cell.value) = count(*) as assessable,
        count(table_cell.metric) = count(*) as tables_present
    from cell_values as narrative
    join narrative_pairs on narrative_pairs.narrative_metric = narrative.metric
    left join cell_values as table_cell
        on table_cell.report_id = narrative.report_id
        and table_cell.metric = narrative_pairs.table_metric
        and table_cell.applicant is not distinct from narrative_pairs.table_applicant
    group by all
),

breakdown_instances as (
    select
        report_id,
        'legacy.identity.breakdown_sum' as check_id,
        metric,
        null::varchar as applicant,
        value is not null as assessable
    from cell_values
    where metric in ('n.reconsideration.total', 'n.litigation.total')
        and regexp_matches(raw, '其中.*\d+\s*(件|起)')
),

report_instances as (
    select report_id, check_id, metric, applicant, assessable from balance_instances
    union all
    select report_id, check_id, metric, applicant, assessable from outcome_instances
    union all
    select report_id, check_id, metric, applicant, assessable from row_sum_instances
    union all
    select report_id, check_id, metric, applicant, assessable from org_subtotal_instances
    union all
    select report_id, check_id, metric, applicant, assessable from block_instances
    union all
    -- the identity is skipped, not "not assessable", when the report has no such table
    select report_id, check_id, metric, applicant, assessable from narrative_instances where tables_present
    union all
    select report_id, check_id, metric, applicant, assessable from breakdown_instances
),

report_failures as (
    select distinct sha256 as report_id, "check" as check_id, metric, applicant
    from lake_findings
    where "check" <> 'extraction_doubt'
),

report_results as (
    select
        coalesce(instances.report_id, failures.report_id) as report_id,
        coalesce(instances.check_id, failures.check_id) as check_id,
        coalesce(instances.metric, failures.metric) as metric,
        coalesce(instances.applicant, failures.applicant) as applicant,
        case
            when failures.report_id is not null then 'failed'
            when instances.assessable then 'passed'
            else 'not_assessable'
        end as status
    from report_instances as instances
    full join report_failures as failures
        on failures.report_id = instances.report_id
        and failures.check_id = instances.check_id
        and failures.metric is not distinct from instances.metric
        and failures.applicant is not distinct from instances.applicant
),

all_results as (
    select
        report_places.agency_id,
        report_places.agency,
        report_places.year,
        'report' as scope,
        report_results.check_id,
        report_results.report_id,
        null::varchar as compared_report_id,
        report_results.metric,
        report_results.applicant,
        null::varchar as subject,
        report_results.status
    from report_results
    left join report_places using (report_id)
    union all
    select
        agency_id,
        agency,
        year,
        'cross_report' as scope,
        check_id,
        report_id,
        compared_report_id,
        metric,
        applicant,
        subject,
        status
    from cross_report_checks
)

select *
from all_results
order by agency_id, year, scope desc, check_id, report_id, metric, applicant, subject
