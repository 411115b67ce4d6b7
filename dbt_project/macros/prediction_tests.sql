{#- Generic tests used by the prediction models (models/ml). -#}

{% test prediction_unique_combination(model, columns) %}
    {#- Fails with one row per duplicated combination of the given columns. -#}
    select
        {{ columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}


{% test prediction_between(model, column_name, min_value, max_value) %}
    {#- Fails with the rows whose value lies outside [min_value, max_value] (nulls pass). -#}
    select *
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
