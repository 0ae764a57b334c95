-- compare_agency_match: the agency ids one `xxgk compare -a` argument names, as an id, a canonical name or
-- an alias (former names included). $keys: the typed text and its normalised form.
select agency_id from agencies where list_contains($keys, agency_id) or list_contains($keys, name)
union
select agency_id from agency_aliases where list_contains($keys, alias)
