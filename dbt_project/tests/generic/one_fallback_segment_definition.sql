{#- Exactly one row names the clusters no other rule took: segment_profiles reads its action. -#}
{% test one_fallback_segment_definition(model) %}

with

definitions as (
    select * from {{ model }}
),

fallbacks as (
    select count(*) as fallback_rows
    from definitions
    where naming_rule = 'fallback'
)

select fallback_rows
from fallbacks
where fallback_rows <> 1

{% endtest %}
