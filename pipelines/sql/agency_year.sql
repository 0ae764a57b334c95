-- agency_year: one row per (agency_id, year) with headline measures harmonised across report formats.
--
-- Agencies: every report's (agency name, year) is resolved to an agency_id by pipelines/registry.py
-- (staged as agency_resolution): reviewed names and aliases from data/reference, renames included, so
-- 江东市国土资源局 (≤ 2018) and 江东市自然资源局 (≥ 2019) are one series. `agency` is the name the chosen
-- report prints; `agency_name` is the agency's canonical (current) name.
--
-- Legacy (pre-2019) reports only state narrative figures (n.* metrics); 2019/2021 reports carry
-- table 3 (applications, read at the `total` applicant column) and table 4 (reconsideration and
-- litigation) as well as narrative. Each measure takes the table figure when present, else the
-- narrative figure. Rules:
--   * applications_total = applications_new + applications_carried_over; null when applications_new is
--     null. A missing carried_over is treated as 0 only for legacy reports (their template has no
--     carried-over line); for 2019/2021 a missing carried_over makes the total null (a blank cell is
--     unknown, not zero).
--   * denied / unable / not_processed = sum of t3.result.denied.* / unable.* / not_processed.* when any
--     of them is present (sum() ignores blanks and is null when all are blank, so blanks never become
--     0); denied falls back to n.applications.denied. other_handling = t3.result.other (single row) else
--     the sum of t3.result.other.*.
--   * litigation_total = t4.litigation_direct.total + t4.litigation_after_review.total when both are
--     present, else n.litigation.total (a half-read table 4 must not look like a complete total).
-- Derived measures (formulas also in measure_dictionary) are null — N/A — when an operand is null or
-- the base is 0:
--   * disclosure_rate = (granted + partial) / outcomes_total; *_share = outcome / outcomes_total;
--   * *_correction_rate = corrected / (upheld + corrected + other), i.e. among concluded cases
--     (pending excluded); litigation adds both table-4 litigation blocks;
--   * disputes_per_100_applications = 100 * (reconsideration_total + litigation_total) / applications_new.
-- When an agency has several reports for a year, the one with the most extracted values wins, ties
-- broken by report_id (sha256) so rebuilds are deterministic; n_reports shows the duplicates.
-- Rows without an agency or a year cannot be placed and are left out (see reports for them).
with

report_candidates as (
    select
        reports.report_id,
        reports.agency,
        reports.year,
        reports.format,
        reports.n_values,
        reports.agency_id,
        reports.agency_name,
        reports.level,
        reports.province
    from reports
    where reports.agency_id is not null
),

values_at_total as (
    -- table-3 metrics come once per applicant column: keep the `total` column; other metrics have no
    -- applicant. max() guards against a duplicated cell (a blocking check reports those).
    select sha256 as report_id, metric, max(value) as value
    from metric_values
    where applicant is null or applicant = 'total'
    group by sha256, metric
),

ranked_reports as (
    select
        *,
        count(*) over (partition by agency_id, year) as n_reports,
        row_number() over (
            partition by agency_id, year
            order by coalesce(n_values, 0) desc, report_id
        ) as preference
    from report_candidates
),

chosen_reports as (
    select report_id, agency_id, agency, agency_name, level, province, year, format, n_reports
    from ranked_reports
    where preference = 1
),

report_metrics as (
    select
        report_id,
        max(value) filter (where metric = 't3.received.new') as t3_received_new,
        max(value) filter (where metric = 't3.received.carried_over') as t3_received_carried_over,
        max(value) filter (where metric = 't3.result.total') as t3_result_total,
        max(value) filter (where metric = 't3.result.granted') as t3_result_granted,
        max(value) filter (where metric = 't3.result.partial') as t3_result_partial,
        sum(value) filter (where starts_with(metric, 't3.result.denied.')) as t3_result_denied,
        sum(value) filter (where starts_with(metric, 't3.result.unable.')) as t3_result_unable,
        sum(value) filter (where starts_with(metric, 't3.result.not_processed.')) as t3_result_not_processed,
        max(value) filter (where metric = 't3.result.other') as t3_result_other_row,
        sum(value) filter (where starts_with(metric, 't3.result.other.')) as t3_result_other_parts,
        max(value) filter (where metric = 't3.carried_forward') as t3_carried_forward,
        max(value) filter (where metric = 't4.reconsideration.total') as t4_reconsideration_total,
        max(value) filter (where metric = 't4.reconsideration.upheld') as t4_reconsideration_upheld,
        max(value) filter (where metric = 't4.reconsideration.corrected') as t4_reconsideration_corrected,
        max(value) filter (where metric = 't4.reconsideration.other') as t4_reconsideration_other,
        max(value) filter (where metric = 't4.litigation_direct.total') as t4_litigation_direct_total,
        max(value) filter (where metric = 't4.litigation_direct.upheld') as t4_litigation_direct_upheld,
        max(value) filter (where metric = 't4.litigation_direct.corrected') as t4_litigation_direct_corrected,
        max(value) filter (where metric = 't4.litigation_direct.other') as t4_litigation_direct_other,
        max(value) filter (where metric = 't4.litigation_after_review.total') as t4_litigation_after_review_total,
        max(value) filter (where metric = 't4.litigation_after_review.upheld') as t4_litigation_after_review_upheld,
        max(value) filter (
            where metric = 't4.litigation_after_review.corrected'
        ) as t4_litigation_after_review_corrected,
        max(value) filter (where metric = 't4.litigation_after_review.other') as t4_litigation_after_review_other,
        max(value) filter (where metric = 't2.admin_fees.amount') as t2_admin_fees_amount,
        max(value) filter (where metric = 'n.applications.received') as n_applications_received,
        max(value) filter (where metric = 'n.applications.granted') as n_applications_granted,
        max(value) filter (where metric = 'n.applications.partial') as n_applications_partial,
        max(value) filter (where metric = 'n.applications.denied') as n_applications_denied,
        max(value) filter (where metric = 'n.reconsideration.total') as n_reconsideration_total,
        max(value) filter (where metric = 'n.litigation.total') as n_litigation_total,
        max(value) filter (where metric = 'n.proactive.total') as n_proactive_total,
        max(value) filter (where metric = 'n.fees.amount') as n_fees_amount
    from values_at_total
    group by report_id
),

harmonised as (
    select
        chosen_reports.*,
        coalesce(m.t3_received_new, m.n_applications_received) as applications_new,
        m.t3_received_carried_over as applications_carried_over,
        m.t3_result_total as outcomes_total,
        coalesce(m.t3_result_granted, m.n_applications_granted) as granted,
        coalesce(m.t3_result_partial, m.n_applications_partial) as partial,
        coalesce(m.t3_result_denied, m.n_applications_denied) as denied,
        m.t3_result_unable as unable,
        m.t3_result_not_processed as not_processed,
        coalesce(m.t3_result_other_row, m.t3_result_other_parts) as other_handling,
        m.t3_carried_forward as carried_forward,
        coalesce(m.t4_reconsideration_total, m.n_reconsideration_total) as reconsideration_total,
        m.t4_reconsideration_corrected as reconsideration_corrected,
        m.t4_reconsideration_upheld + m.t4_reconsideration_corrected + m.t4_reconsideration_other
            as reconsideration_concluded,
        coalesce(
            m.t4_litigation_direct_total + m.t4_litigation_after_review_total,
            m.n_litigation_total
        ) as litigation_total,
        m.t4_litigation_direct_corrected + m.t4_litigation_after_review_corrected as litigation_corrected,
        m.t4_litigation_direct_upheld + m.t4_litigation_direct_corrected + m.t4_litigation_direct_other
            + m.t4_litigation_after_review_upheld + m.t4_litigation_after_review_corrected
            + m.t4_litigation_after_review_other as litigation_concluded,
        m.n_proactive_total as proactive_total,
        m.n_fees_amount as fees_yuan,
        m.t2_admin_fees_amount as admin_fees_wan_yuan
    from chosen_reports
    left join report_metrics as m using (report_id)
),

final as (
    select
        agency_id,
        agency,
        agency_name,
        level,
        province,
        year,
        format,
        report_id,
        n_reports,
        applications_new,
        applications_carried_over,
        case
            when applications_new is null then null
            when format = 'legacy' then applications_new + coalesce(applications_carried_over, 0)
            else applications_new + applications_carried_over
        end as applications_total,
        outcomes_total,
        granted,
        partial,
        denied,
        unable,
        not_processed,
        other_handling,
        carried_forward,
        reconsideration_total,
        reconsideration_corrected,
        reconsideration_concluded,
        litigation_total,
        litigation_corrected,
        litigation_concluded,
        proactive_total,
        fees_yuan,
        admin_fees_wan_yuan,
        (granted + partial) / nullif(outcomes_total, 0) as disclosure_rate,
        denied / nullif(outcomes_total, 0) as denied_share,
        unable / nullif(outcomes_total, 0) as unable_share,
        not_processed / nullif(outcomes_total, 0) as not_processed_share,
        other_handling / nullif(outcomes_total, 0) as other_handling_share,
        reconsideration_corrected / nullif(reconsideration_concluded, 0) as reconsideration_correction_rate,
        litigation_corrected / nullif(litigation_concluded, 0) as litigation_correction_rate,
        100.0 * (reconsideration_total + litigation_total) / nullif(applications_new, 0)
            as disputes_per_100_applications
    from harmonised
)

select * from final
order by agency_id, year
