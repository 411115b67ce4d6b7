{#- Money per unit (per order, per customer): `amount` / `count` as decimal(18, 2), the exact
    quotient rounded half away from zero; null when `count` is 0. `count` is a whole number >= 0.
    Spark divides decimals exactly; DuckDB divides them in double precision (9352.38 / 4 would
    round down to 2338.09), so DuckDB divides whole paise in integers instead. -#}
{% macro money_per(amount, count) -%}
    {{ return(adapter.dispatch('money_per')(amount, count)) }}
{%- endmacro %}

{% macro default__money_per(amount, count) -%}
    cast({{ amount }} / nullif({{ count }}, 0) as decimal(18, 2))
{%- endmacro %}

{% macro duckdb__money_per(amount, count) -%}
    {%- set paise = 'cast(' ~ amount ~ ' * 100 as hugeint)' -%}
    {%- set divisor = 'nullif(' ~ count ~ ', 0)' -%}
    cast(
        cast(
            sign({{ paise }}) * ((abs({{ paise }}) * 2 + {{ divisor }}) // (2 * {{ divisor }}))
            as decimal(18, 0)
        ) * 0.01 as decimal(18, 2)
    )
{%- endmacro %}
