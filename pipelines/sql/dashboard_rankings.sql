-- dashboard_rankings: each charted measure's ranking within peer groups for the latest year that
-- measure is ranked in (one row per agency × measure).
-- $measures: the measures to show (list of rankings.measure values).
with

latest as (
    select
        agency_id,
        agency_name,
        year,
        measure,
        value,
        peer_group,
        rank,
        peer_count,
        percentile
    from rankings
    where list_contains($measures, measure)
    qualify year = max(year) over (partition by measure)
)

select *
from latest
order by measure, peer_group, rank nulls last, agency_name
