-- agency_review: report names the registry could not place with certainty (grain: agency name as printed,
-- agency_id). reason: not in data/reference (a provisional 'auto:' id and an inferred level, scope,
-- parent and province are suggested), matches several agencies, or is reviewed but not valid in the
-- report's year. Fix by adding a row to data/reference/agencies.csv or aliases.csv and rebuilding.
with

needs_review as (
    select * from agency_resolution where needs_review
),

report_counts as (
    select reports.agency, reports.year, count(*) as n_reports
    from reports
    group by reports.agency, reports.year
)

select
    needs_review.agency,
    needs_review.normalised_name,
    needs_review.agency_id,
    needs_review.method,
    needs_review.review_reason,
    needs_review.level as suggested_level,
    needs_review.scope as suggested_scope,
    needs_review.parent_name as suggested_parent_name,
    needs_review.parent_id as suggested_parent_id,
    needs_review.province as suggested_province,
    needs_review.region_code as suggested_region_code,
    list(needs_review.year order by needs_review.year) as years,
    coalesce(sum(report_counts.n_reports), 0) as n_reports
from needs_review
left join report_counts using (agency, year)
group by all
order by needs_review.agency, needs_review.agency_id
