{#- A segment name is true to the seed: every name in the column is a segment of segment_model
    whose naming_rule is a segment_definitions row, and a segment named by a rule row carries
    that row's segment_name (a descriptive row's segments carry names built from their profile). -#}
{% test segment_name_defined(model, column_name) %}

with

named as (
    select distinct {{ column_name }} as segment_name from {{ model }}
),

segment_names as (
    select distinct
        segment_name,
        naming_rule
    from {{ ref('segment_model') }}
),

definitions as (
    select * from {{ ref('segment_definitions') }}
)

select named.segment_name
from named
left join segment_names
    on named.segment_name = segment_names.segment_name
left join definitions
    on segment_names.naming_rule = definitions.naming_rule
where
    named.segment_name is not null
    and (
        definitions.naming_rule is null
        or (definitions.name_kind = 'rule' and definitions.segment_name <> named.segment_name)
    )

{% endtest %}
