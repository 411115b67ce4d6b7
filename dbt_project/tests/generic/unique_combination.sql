{#- No two rows share the same values of these columns (a composite key); fails with one row per
    duplicated combination. No dbt_utils: the package hub is unreachable. -#}
{% test unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
