{#- Date helpers for the marts: thin, portable wrappers over dbt's cross-database macros. -#}

{% macro marts_add_days(date_expr, days) -%}
    {#- A date `days` days after `date_expr` (negative goes back); always a date, never a timestamp. -#}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}


{% macro marts_days_between(start_date, end_date) -%}
    {#- Whole days from start_date to end_date (end - start). -#}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}


{% macro marts_age_at(birth_date, at_date) -%}
    {#- Completed years of age at `at_date`. Someone born on 29 February turns a year older on
        28 February in non-leap years. -#}
    (
        {{ dbt.datediff(birth_date, at_date, 'year') }}
        - case
            when
                cast({{ dbt.dateadd('year', dbt.datediff(birth_date, at_date, 'year'), birth_date) }} as date)
                > {{ at_date }}
                then 1
            else 0
        end
    )
{%- endmacro %}


{% macro marts_age_band(age_expr) -%}
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


{% macro marts_as_of_date() -%}
    {#- The var `as_of_date` checked to be a real YYYY-MM-DD date and returned as that string, or
        none when unset (then the cutoff is the last clean order date). -#}
    {{ return(var_date('as_of_date')) }}
{%- endmacro %}


{% macro marts_horizon_days() -%}
    {#- The var `horizon_days` checked to be a whole number of days >= 1. -#}
    {%- set raw = var('horizon_days', 90) | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', raw) or (raw | int) < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var horizon_days must be a whole number of days >= 1, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{ return(raw | int) }}
{%- endmacro %}


{% macro marts_type_double() -%}
    {#- Double-precision float for ratios (one place to change per warehouse). -#}
    double
{%- endmacro %}


{% macro marts_safe_divide(numerator, denominator) -%}
    {#- numerator / denominator as a double; null when the denominator is 0 or null. -#}
    case
        when {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ marts_type_double() }}) / cast({{ denominator }} as {{ marts_type_double() }})
    end
{%- endmacro %}


{% macro marts_cutoff_roles() -%}
    {#- The snapshot cutoffs, each as {'role': name, 'horizons_back': n}: its as_of_date is
        n horizons before the score date. int_feature_cutoffs builds one row per role; models that
        sum every cutoff in one pass over the events (a column per role) loop over the same list. -#}
    {{ return([
        {'role': 'score', 'horizons_back': 0},
        {'role': 'evaluate', 'horizons_back': 1},
        {'role': 'train', 'horizons_back': 2},
    ]) }}
{%- endmacro %}



{% macro marts_cutoff_as_of_date(role) -%}
    {#- The as_of_date of cutoff `role`, as an aggregate over int_feature_cutoffs' rows (one row
        per role), for models that put every cutoff's date side by side. -#}
    max(case when cutoff_role = '{{ role }}' then as_of_date end)
{%- endmacro %}


{% macro marts_value_at_cutoff(role_column, relation, name) -%}
    {#- Turns per-cutoff columns (<role>_<name> of `relation`, one per marts_cutoff_roles entry)
        back into one value per row: the column of the cutoff named in `role_column`. -#}
    case {{ role_column }}
        {%- for cutoff in marts_cutoff_roles() %} when '{{ cutoff.role }}' then {{ relation }}.{{ cutoff.role }}_{{ name }}{% endfor %}
    end
{%- endmacro %}
