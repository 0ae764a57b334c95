-- regions: administrative divisions (grain: region_code, GB/T 2260 six-digit codes) from the reviewed,
-- deliberately partial data/reference/regions.csv: every province-level division, plus the cities and
-- counties/districts that occur in the corpus. $regions_csv is bound by the builder.
select
    region_code,
    name,
    short_name,
    level,
    parent_code,
    note
from read_csv(
    $regions_csv,
    header = true,
    auto_detect = false,
    columns = {
        'region_code': 'varchar',
        'name': 'varchar',
        'short_name': 'varchar',
        'level': 'varchar',
        'parent_code': 'varchar',
        'note': 'varchar'
    }
)
order by region_code
