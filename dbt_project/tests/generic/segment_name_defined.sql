{#- A segment name is a segment_definitions row's name, or the fallback row's name numbered
    ("Mid-value 2") when several clusters fall back: a relationships test to the seed. -#}
{% test segment_name_defined(model, column_name) %}

with

named as (
    select {{ column_name }} as segment_name from {{ model }}
),

definitions as (
    select * from {{ ref('segment_definitions') }}
),

fallback as (
    select segment_name as fallback_name
    from definitions
    where naming_rule = 'fallback'
)

select named.segment_name
from named
cross join fallback
where
    named.segment_name is not null
    and named.segment_name not in (select definitions.segment_name from definitions)
    and named.segment_name not like {{ dbt.concat(['fallback.fallback_name', "' %'"]) }}

{% endtest %}
