-- cross_report_checks: one row per cross-report check instance (grain: check_id, agency_id, year,
-- report_id, metric, applicant, subject) with its status: passed, failed or not_assessable. Failed rows are the cross-report
-- findings (published in `findings` with scope 'cross_report', severity warning: they never block).
--
-- Reports are compared through agency_year: one report per agency_id and year (its choice among
-- duplicates), so a renamed agency (机构改革) stays one series. A check "applies" when the reports it
-- compares exist and at least one operand was extracted; it is "not assessable" when an operand is blank,
-- N/A or missing — never failed. Thresholds are in the `thresholds` CTE.
--
-- Checks (catalogue: assets/README.md):
--   cross.carried_forward_chain  per applicant column (the six columns and total), consecutive years both
--                                in the 2019/2021 formats: 结转下年度 of year Y = 上年结转 of year Y+1.
--   cross.in_force_chain         per table-2 stock (every *.in_force metric), consecutive years both in the
--                                2021 format: in_force(Y+1) = in_force(Y) + issued(Y+1) - repealed(Y+1).
--                                Soft: revisions and clean-ups of the stock legitimately break it.
--   cross.items_carried_chain    per table-2 row with 上一年项目数量 (every *.prev_year_items metric),
--                                consecutive years both in the 2019 format: prev_year_items(Y+1) =
--                                prev_year_items(Y) + change(Y) (本年增/减). Soft, like the in-force chain.
--   cross.yoy_jump               per agency_year measure (applications_new, reconsideration_total,
--                                litigation_total, proactive_total), consecutive years: failed when the
--                                larger value is at least jump_min_base and the current value is more than
--                                jump_ratio times, or less than 1/jump_ratio of, the previous one.
--   cross.duplicate_report       every further report for an agency-year, against the one agency_year chose:
--                                failed when a cell both extracted (same metric and applicant) differs.
--   cross.coverage_gap           every year between an agency's first and last report: failed when the
--                                agency has no report for it (report_id null).
--   cross.text_repetition        per numbered section (一 … 六; the whole text when a report has no
--                                numbered parts) against every sentence of the agency's previous report
--                                (the latest earlier year): failed when more than repetition_max_share of
--                                its sentences are repeated; not assessable under repetition_min_sentences
--                                sentences or when the previous report's text was never split.
with

thresholds as (
    select
        5.0 as jump_ratio,
        20.0 as jump_min_base,
        0.5 as repetition_max_share,
        3 as repetition_min_sentences
),

chosen_reports as (
    select agency_id, agency, agency_name, year, report_id, format
    from agency_year
),

consecutive_reports as (
    select
        current_report.agency_id,
        current_report.agency,
        current_report.year,
        current_report.report_id,
        current_report.format,
        previous_report.year as prev_year,
        previous_report.report_id as prev_report_id,
        previous_report.format as prev_format
    from chosen_reports as current_report
    join chosen_reports as previous_report
        on previous_report.agency_id = current_report.agency_id
        and previous_report.year = current_report.year - 1
),

cell_values as (
    select sha256 as report_id, metric, applicant, value
    from metric_values
),

-- cross.carried_forward_chain --------------------------------------------------------------------------
carried_cells as (
    select pair.*, cell.applicant, cell.value as carried_forward_prev, null::double as carried_over
    from consecutive_reports as pair
    join cell_values as cell
        on cell.report_id = pair.prev_report_id and cell.metric = 't3.carried_forward'
    union all
    select pair.*, cell.applicant, null::double as carried_forward_prev, cell.value as carried_over
    from consecutive_reports as pair
    join cell_values as cell
        on cell.report_id = pair.report_id and cell.metric = 't3.received.carried_over'
),

carried_chain as (
    select
        agency_id,
        agency,
        year,
        report_id,
        prev_report_id,
        prev_year,
        applicant,
        max(carried_forward_prev) as carried_forward_prev,
        max(carried_over) as carried_over
    from carried_cells
    where format in ('2019', '2021')
        and prev_format in ('2019', '2021')
        -- org_subtotal is derived from the five organisation columns, which are checked themselves
        and applicant <> 'org_subtotal'
    group by all
),

carried_checks as (
    select
        'cross.carried_forward_chain' as check_id,
        agency_id,
        agency,
        year,
        report_id,
        prev_report_id as compared_report_id,
        't3.received.carried_over' as metric,
        applicant,
        null::varchar as subject,
        case
            when carried_forward_prev is null or carried_over is null then 'not_assessable'
            when carried_forward_prev = carried_over then 'passed'
            else 'failed'
        end as status,
        format(
            '{}: 上年结转 {} ≠ {}年报告的结转下年度 {}',
            applicant,
            regexp_replace(carried_over::varchar, '\.0$', ''),
            prev_year,
            regexp_replace(carried_forward_prev::varchar, '\.0$', '')
        ) as message,
        json_object(
            'prev_year', prev_year,
            'carried_forward_prev', carried_forward_prev,
            'carried_over', carried_over
        )::varchar as values_json
    from carried_chain
),

-- table-2 chains (cross.in_force_chain, cross.items_carried_chain) -----------------------------------
t2_pair_cells as (
    -- every table-2 cell of both reports of a consecutive pair, by row; the earlier report's operands
    -- are named '<column>_prev'. Each chain keeps the operands it reads.
    select
        pair.*,
        regexp_extract(cell.metric, '^(t2\.[a-z_]+)\.', 1) as t2_row,
        regexp_extract(cell.metric, '\.([a-z_]+)$', 1) || '_prev' as operand,
        cell.value
    from consecutive_reports as pair
    join cell_values as cell
        on cell.report_id = pair.prev_report_id and starts_with(cell.metric, 't2.')
    union all
    select
        pair.*,
        regexp_extract(cell.metric, '^(t2\.[a-z_]+)\.', 1) as t2_row,
        regexp_extract(cell.metric, '\.([a-z_]+)$', 1) as operand,
        cell.value
    from consecutive_reports as pair
    join cell_values as cell
        on cell.report_id = pair.report_id and starts_with(cell.metric, 't2.')
),

-- cross.in_force_chain ---------------------------------------------------------------------------------
stock_rows as (
    -- every table-2 stock with its flows: t2.<row>.in_force, t2.<row>.issued, t2.<row>.repealed
    select regexp_extract(metric, '^(t2\.[a-z_]+)\.in_force$', 1) as stock_row
    from metric_dictionary
    where regexp_matches(metric, '^t2\.[a-z_]+\.in_force$')
),

in_force_chain as (
    select
        agency_id,
        agency,
        year,
        report_id,
        prev_report_id,
        prev_year,
        t2_row as stock_row,
        max(value) filter (where operand = 'in_force_prev') as in_force_prev,
        max(value) filter (where operand = 'issued') as issued,
        max(value) filter (where operand = 'repealed') as repealed,
        max(value) filter (where operand = 'in_force') as in_force
    from t2_pair_cells
    where format = '2021' and prev_format = '2021'
        and t2_row in (select stock_row from stock_rows)
        and operand in ('in_force_prev', 'issued', 'repealed', 'in_force')
    group by all
),

in_force_checks as (
    select
        'cross.in_force_chain' as check_id,
        agency_id,
        agency,
        year,
        report_id,
        prev_report_id as compared_report_id,
        stock_row || '.in_force' as metric,
        null::varchar as applicant,
        null::varchar as subject,
        case
            when in_force_prev is null or issued is null or repealed is null or in_force is null
                then 'not_assessable'
            when in_force_prev + issued - repealed = in_force then 'passed'
            else 'failed'
        end as status,
        format(
            '{}: {}年现行有效 {} + 制发 {} - 废止 {} = {} ≠ 现行有效 {}',
            stock_row,
            prev_year,
            regexp_replace(in_force_prev::varchar, '\.0$', ''),
            regexp_replace(issued::varchar, '\.0$', ''),
            regexp_replace(repealed::varchar, '\.0$', ''),
            regexp_replace((in_force_prev + issued - repealed)::varchar, '\.0$', ''),
            regexp_replace(in_force::varchar, '\.0$', '')
        ) as message,
        json_object(
            'prev_year', prev_year,
            'in_force_prev', in_force_prev,
            'issued', issued,
            'repealed', repealed,
            'in_force', in_force
        )::varchar as values_json
    from in_force_chain
),

-- cross.items_carried_chain ----------------------------------------------------------------------------
item_rows as (
    -- every table-2 row counting items year by year: t2.<row>.prev_year_items with t2.<row>.change
    select regexp_extract(metric, '^(t2\.[a-z_]+)\.prev_year_items$', 1) as item_row
    from metric_dictionary
    where regexp_matches(metric, '^t2\.[a-z_]+\.prev_year_items$')
),

items_chain as (
    select
        agency_id,
        agency,
        year,
        report_id,
        prev_report_id,
        prev_year,
        t2_row as item_row,
        max(value) filter (where operand = 'prev_year_items_prev') as items_prev,
        max(value) filter (where operand = 'change_prev') as change_prev,
        max(value) filter (where operand = 'prev_year_items') as items
    from t2_pair_cells
    where format = '2019' and prev_format = '2019'
        and t2_row in (select item_row from item_rows)
        and operand in ('prev_year_items_prev', 'change_prev', 'prev_year_items')
    group by all
),

items_checks as (
    select
        'cross.items_carried_chain' as check_id,
        agency_id,
        agency,
        year,
        report_id,
        prev_report_id as compared_report_id,
        item_row || '.prev_year_items' as metric,
        null::varchar as applicant,
        null::varchar as subject,
        case
            when items_prev is null or change_prev is null or items is null then 'not_assessable'
            when items_prev + change_prev = items then 'passed'
            else 'failed'
        end as status,
        format(
            '{}: {}年上一年项目数量 {} + 本年增/减 {} = {} ≠ 上一年项目数量 {}',
            item_row,
            prev_year,
            regexp_replace(items_prev::varchar, '\.0$', ''),
            regexp_replace(change_prev::varchar, '\.0$', ''),
            regexp_replace((items_prev + change_prev)::varchar, '\.0$', ''),
            regexp_replace(items::varchar, '\.0$', '')
        ) as message,
        json_object(
            'prev_year', prev_year,
            'prev_year_items_prev', items_prev,
            'change_prev', change_prev,
            'prev_year_items', items
        )::varchar as values_json
    from items_chain
),

-- cross.yoy_jump ---------------------------------------------------------------------------------------
yoy_pairs as (
    select
        pair.agency_id,
        pair.agency,
        pair.year,
        pair.report_id,
        pair.prev_report_id,
        pair.prev_year,
        yoy.measure,
        yoy.value,
        yoy.prev_value
    from consecutive_reports as pair
    join agency_yoy as yoy
        on yoy.agency_id = pair.agency_id
        and yoy.year = pair.year
        and yoy.measure in ('applications_new', 'reconsideration_total', 'litigation_total', 'proactive_total')
),

yoy_checks as (
    select
        'cross.yoy_jump' as check_id,
        yoy_pairs.agency_id,
        yoy_pairs.agency,
        yoy_pairs.year,
        yoy_pairs.report_id,
        yoy_pairs.prev_report_id as compared_report_id,
        null::varchar as metric,
        null::varchar as applicant,
        yoy_pairs.measure as subject,
        case
            when yoy_pairs.value is null or yoy_pairs.prev_value is null then 'not_assessable'
            when greatest(yoy_pairs.value, yoy_pairs.prev_value) >= thresholds.jump_min_base
                and (
                    yoy_pairs.value > thresholds.jump_ratio * yoy_pairs.prev_value
                    or yoy_pairs.value * thresholds.jump_ratio < yoy_pairs.prev_value
                )
                then 'failed'
            else 'passed'
        end as status,
        format(
            '{}: {} in {} after {} in {}',
            yoy_pairs.measure,
            regexp_replace(yoy_pairs.value::varchar, '\.0$', ''),
            yoy_pairs.year,
            regexp_replace(yoy_pairs.prev_value::varchar, '\.0$', ''),
            yoy_pairs.prev_year
        ) as message,
        json_object(
            'measure', yoy_pairs.measure,
            'prev_year', yoy_pairs.prev_year,
            'prev_value', yoy_pairs.prev_value,
            'value', yoy_pairs.value,
            'ratio', yoy_pairs.value / nullif(yoy_pairs.prev_value, 0)
        )::varchar as values_json
    from yoy_pairs
    cross join thresholds
),

-- cross.duplicate_report -------------------------------------------------------------------------------
duplicate_pairs as (
    select
        further.agency_id,
        further.agency,
        further.year,
        further.report_id,
        chosen_reports.report_id as chosen_report_id
    from reports as further
    join chosen_reports
        on chosen_reports.agency_id = further.agency_id
        and chosen_reports.year = further.year
    where further.report_id <> chosen_reports.report_id
),

duplicate_cells as (
    select
        pair.report_id,
        count(*) as shared_cells,
        count(*) filter (where further_cell.value is distinct from chosen_cell.value) as differing_cells,
        list(further_cell.metric || coalesce('@' || further_cell.applicant, '')
            order by further_cell.metric, further_cell.applicant)
            filter (where further_cell.value is distinct from chosen_cell.value) as differing
    from duplicate_pairs as pair
    join cell_values as further_cell on further_cell.report_id = pair.report_id
    join cell_values as chosen_cell
        on chosen_cell.report_id = pair.chosen_report_id
        and chosen_cell.metric = further_cell.metric
        and chosen_cell.applicant is not distinct from further_cell.applicant
    group by pair.report_id
),

duplicate_checks as (
    select
        'cross.duplicate_report' as check_id,
        pair.agency_id,
        pair.agency,
        pair.year,
        pair.report_id,
        pair.chosen_report_id as compared_report_id,
        null::varchar as metric,
        null::varchar as applicant,
        null::varchar as subject,
        case
            when coalesce(cells.shared_cells, 0) = 0 then 'not_assessable'
            when cells.differing_cells = 0 then 'passed'
            else 'failed'
        end as status,
        format(
            'another report for {} {} differs in {} of {} shared cells, e.g. {}',
            pair.agency,
            pair.year,
            coalesce(cells.differing_cells, 0),
            coalesce(cells.shared_cells, 0),
            array_to_string(coalesce(cells.differing, [])[1:5], ', ')
        ) as message,
        json_object(
            'chosen_report_id', pair.chosen_report_id,
            'shared_cells', coalesce(cells.shared_cells, 0),
            'differing_cells', coalesce(cells.differing_cells, 0),
            'differing', coalesce(cells.differing, [])[1:20]
        )::varchar as values_json
    from duplicate_pairs as pair
    left join duplicate_cells as cells using (report_id)
),

-- cross.coverage_gap -----------------------------------------------------------------------------------
agency_spans as (
    select agency_id, any_value(agency_name) as agency_name, min(year) as first_year, max(year) as last_year
    from chosen_reports
    group by agency_id
),

agency_span_years as (
    select
        agency_id,
        agency_name,
        first_year,
        last_year,
        unnest(range(first_year::bigint, last_year::bigint + 1)) as year
    from agency_spans
),

coverage_checks as (
    select
        'cross.coverage_gap' as check_id,
        span.agency_id,
        coalesce(chosen_reports.agency, span.agency_name) as agency,
        span.year::smallint as year,
        chosen_reports.report_id,
        null::varchar as compared_report_id,
        null::varchar as metric,
        null::varchar as applicant,
        null::varchar as subject,
        case when chosen_reports.report_id is null then 'failed' else 'passed' end as status,
        format(
            '{}: no report for {} (its reports run from {} to {})',
            span.agency_name,
            span.year,
            span.first_year,
            span.last_year
        ) as message,
        json_object('first_year', span.first_year, 'last_year', span.last_year)::varchar as values_json
    from agency_span_years as span
    left join chosen_reports
        on chosen_reports.agency_id = span.agency_id
        and chosen_reports.year = span.year
),

-- cross.text_repetition --------------------------------------------------------------------------------
sentences as (
    select sha256 as report_id, section, sentence_hash
    from lake_sections
),

reports_with_parts as (
    select report_id, bool_or(section <> 'body') as has_parts
    from sentences
    group by report_id
),

previous_reports as (
    select
        current_report.agency_id,
        current_report.agency,
        current_report.year,
        current_report.report_id,
        previous_report.report_id as prev_report_id,
        previous_report.year as prev_year
    from chosen_reports as current_report
    join chosen_reports as previous_report
        on previous_report.agency_id = current_report.agency_id
        and previous_report.year < current_report.year
    qualify row_number() over (partition by current_report.report_id order by previous_report.year desc) = 1
),

previous_sentences as (
    select distinct report_id, sentence_hash
    from sentences
),

section_repetition as (
    select
        pair.agency_id,
        pair.agency,
        pair.year,
        pair.report_id,
        pair.prev_report_id,
        pair.prev_year,
        current_sentence.section,
        count(*) as n_sentences,
        count(previous_sentence.sentence_hash) as n_repeated
    from previous_reports as pair
    join sentences as current_sentence on current_sentence.report_id = pair.report_id
    join reports_with_parts on reports_with_parts.report_id = pair.report_id
    left join previous_sentences as previous_sentence
        on previous_sentence.report_id = pair.prev_report_id
        and previous_sentence.sentence_hash = current_sentence.sentence_hash
    -- with numbered parts, the body is the preface, whose wording the national template prescribes
    where current_sentence.section <> 'body' or not reports_with_parts.has_parts
    group by all
),

reports_with_text as (
    select distinct report_id
    from sentences
),

repetition_checks as (
    select
        'cross.text_repetition' as check_id,
        section_repetition.agency_id,
        section_repetition.agency,
        section_repetition.year,
        section_repetition.report_id,
        section_repetition.prev_report_id as compared_report_id,
        null::varchar as metric,
        null::varchar as applicant,
        section_repetition.section as subject,
        case
            when previous_text.report_id is null then 'not_assessable'
            when section_repetition.n_sentences < thresholds.repetition_min_sentences then 'not_assessable'
            when section_repetition.n_repeated > thresholds.repetition_max_share * section_repetition.n_sentences
                then 'failed'
            else 'passed'
        end as status,
        format(
            'section {}: {} of {} sentences repeat the {} report',
            section_repetition.section,
            section_repetition.n_repeated,
            section_repetition.n_sentences,
            section_repetition.prev_year
        ) as message,
        json_object(
            'section', section_repetition.section,
            'prev_year', section_repetition.prev_year,
            'sentences', section_repetition.n_sentences,
            'repeated', section_repetition.n_repeated,
            'share', round(section_repetition.n_repeated / section_repetition.n_sentences, 4)
        )::varchar as values_json
    from section_repetition
    cross join thresholds
    left join reports_with_text as previous_text
        on previous_text.report_id = section_repetition.prev_report_id
),

all_checks as (
    select * from carried_checks
    union all by name
    select * from in_force_checks
    union all by name
    select * from items_checks
    union all by name
    select * from yoy_checks
    union all by name
    select * from duplicate_checks
    union all by name
    select * from coverage_checks
    union all by name
    select * from repetition_checks
)

select
    check_id,
    agency_id,
    agency,
    year::smallint as year,
    report_id,
    compared_report_id,
    metric,
    applicant,
    subject,
    status,
    case when status = 'failed' then 'warning' end as severity,
    message,
    values_json
from all_checks
order by check_id, agency_id, year, report_id, metric, applicant, subject
