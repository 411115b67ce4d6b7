{#- A 64-bit floating point type: dbt.type_float() is 32-bit in DuckDB, too coarse for distances. -#}
{% macro type_double() %}
    {{- return(adapter.dispatch('type_double')()) -}}
{% endmacro %}

{% macro default__type_double() %}double precision{% endmacro %}

{% macro spark__type_double() %}double{% endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    {#- numerator / denominator as a double; null when the denominator is 0 or null. -#}
    case
        when {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ type_double() }}) / cast({{ denominator }} as {{ type_double() }})
    end
{%- endmacro %}

{% macro avg_double(expression) -%}
    {#- The mean as a double on every engine: Spark averages decimals to 6 decimal places. -#}
    avg(cast({{ expression }} as {{ type_double() }}))
{%- endmacro %}
