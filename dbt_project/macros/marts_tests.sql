{#- Generic tests used by the intermediate and marts models. -#}

{% test marts_unique_combination(model, combination_of_columns) %}
    {#- Fails with one row per duplicated combination of the given columns. -#}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
