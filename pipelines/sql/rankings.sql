-- rankings: each agency's place among its peers, per year and measure (grain: agency_id, year, measure).
-- Peers share a level and a province (departments also the level of their parent government:
-- 'department of city · 四川省'); an unknown level or province is its own group, labelled as such.
-- Only non-null values are ranked (a blank is not 0).
--   rank: 1 = the largest value in the group (ties share the best rank: 1, 1, 3); "largest" is not
--         "best" — for denied_share a high rank is a high refusal share.
--   peer_count: agencies of the group with a value for that measure and year.
--   percentile: 100 * (peers with a strictly smaller value) / (peer_count - 1), i.e. 100 for the largest
--         and 0 for the smallest; null when the agency has no peer (peer_count = 1).
with

measures as (
    select agency_id, agency as agency_name, year, measure, value
    from agency_yoy
    where value is not null
),

agency_levels as (
    select
        agencies.agency_id,
        agencies.level,
        agencies.province,
        parents.level as parent_level
    from agencies
    left join agencies as parents on parents.agency_id = agencies.parent_id
),

grouped as (
    select
        measures.*,
        case
            when agency_levels.level = 'department' and agency_levels.parent_level is not null
                then 'department of ' || agency_levels.parent_level
            else coalesce(agency_levels.level, 'level unknown')
        end
        || ' · '
        || coalesce(agency_levels.province, 'province unknown') as peer_group
    from measures
    left join agency_levels using (agency_id)
),

ranked as (
    select
        agency_id,
        agency_name,
        year,
        measure,
        value,
        peer_group,
        rank() over peers_by_value_desc as rank,
        count(*) over peers as peer_count,
        percent_rank() over peers_by_value_asc as share_below
    from grouped
    window
        peers as (partition by year, measure, peer_group),
        peers_by_value_desc as (partition by year, measure, peer_group order by value desc),
        peers_by_value_asc as (partition by year, measure, peer_group order by value asc)
)

select
    agency_id,
    agency_name,
    year,
    measure,
    value,
    peer_group,
    rank,
    peer_count,
    case when peer_count > 1 then 100.0 * share_below end as percentile
from ranked
order by measure, year, peer_group, rank, agency_id
