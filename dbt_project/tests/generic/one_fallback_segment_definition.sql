{#- Exactly one row gives the action of the descriptive segments no other row takes. -#}
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
