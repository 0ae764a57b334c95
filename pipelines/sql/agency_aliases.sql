-- agency_aliases: every spelling that names an agency (grain: alias, agency_id, valid_from): the reviewed
-- aliases of data/reference/aliases.csv ($aliases_csv, bound by the builder; relation alias, abbreviation
-- or former_name, valid for statistics years valid_from…valid_to, null = open) and the spellings reports
-- actually print (relation 'observed', with the years they were seen and how they were resolved).
with

reviewed as (
    select
        alias,
        agency_id,
        try_cast(valid_from as smallint) as valid_from,
        try_cast(valid_to as smallint) as valid_to,
        coalesce(relation, 'alias') as relation,
        coalesce(source, 'reviewed') as source,
        note
    from read_csv(
        $aliases_csv,
        header = true,
        auto_detect = false,
        columns = {
            'alias': 'varchar',
            'agency_id': 'varchar',
            'valid_from': 'varchar',
            'valid_to': 'varchar',
            'relation': 'varchar',
            'source': 'varchar',
            'note': 'varchar'
        }
    )
),

observed as (
    select
        agency as alias,
        agency_id,
        min(year) as valid_from,
        max(year) as valid_to,
        'observed' as relation,
        string_agg(distinct method, ';' order by method) as source,
        null as note
    from agency_resolution
    group by agency, agency_id
),

spellings as (
    select * from reviewed
    union all
    select * from observed
)

select
    spellings.alias,
    spellings.agency_id,
    agencies.name as agency_name,
    spellings.valid_from,
    spellings.valid_to,
    spellings.relation,
    spellings.source,
    spellings.note
from spellings
left join agencies using (agency_id)
order by spellings.agency_id, spellings.relation, spellings.valid_from nulls first, spellings.alias
