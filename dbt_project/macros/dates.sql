{#- Date arithmetic: thin, portable wrappers over dbt's cross-database macros. -#}

{% macro add_days(date_expr, days) -%}
    {#- A date `days` days after `date_expr` (negative goes back); always a date, never a timestamp. -#}
    {{ return(adapter.dispatch('add_days')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{#- dbt.dateadd on Spark goes through unix timestamps; date_add keeps a date a date. -#}
{% macro spark__add_days(date_expr, days) -%}
    date_add(cast({{ date_expr }} as date), cast({{ days }} as int))
{%- endmacro %}

{% macro days_between(start_date, end_date) -%}
    {#- Whole days from start_date to end_date (end - start). -#}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{% macro age_at(birth_date, at_date) -%}
    {#- Completed years of age at `at_date`. Someone born on 29 February turns a year older on
        28 February in non-leap years. -#}
    {#- Calendar years apart, then one less before the birthday (dbt.datediff's 'year' counts
        whole years on Spark but year boundaries on DuckDB, so the year numbers are subtracted). -#}
    {%- set calendar_years -%}
        (extract(year from {{ at_date }}) - extract(year from {{ birth_date }}))
    {%- endset %}
    (
        {{ calendar_years }}
        - case
            when
                cast({{ dbt.dateadd('year', calendar_years, birth_date) }} as date)
                > {{ at_date }}
                then 1
            else 0
        end
    )
{%- endmacro %}

{% macro age_band(age_expr) -%}
    {#- Age band label; 'unknown' when the age is unknown. Under-18s fall in '<18'. -#}
    case
        when {{ age_expr }} is null then 'unknown'
        when {{ age_expr }} < 18 then '<18'
        when {{ age_expr }} < 25 then '18-24'
        when {{ age_expr }} < 35 then '25-34'
        when {{ age_expr }} < 45 then '35-44'
        when {{ age_expr }} < 55 then '45-54'
        when {{ age_expr }} < 65 then '55-64'
        else '65+'
    end
{%- endmacro %}
