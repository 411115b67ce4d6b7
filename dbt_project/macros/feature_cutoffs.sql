{#- The cutoff dates features and labels are computed at. -#}

{% macro configured_as_of_date() -%}
    {#- The var `as_of_date` checked to be a real YYYY-MM-DD date and returned as that string, or
        none when unset (then the cutoff is the last clean order date). -#}
    {{ return(var_date('as_of_date')) }}
{%- endmacro %}

{% macro checked_horizon_days() -%}
    {#- The var `horizon_days` checked to be a whole number of days >= 1. -#}
    {%- set raw = var('horizon_days') | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', raw) or (raw | int) < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var horizon_days must be a whole number of days >= 1, got '" ~ raw ~ "'") }}
    {%- endif -%}
    {{ return(raw | int) }}
{%- endmacro %}

{% macro cutoff_roles() -%}
    {#- The snapshot cutoffs, each as {'role': name, 'horizons_back': n}: its as_of_date is
        n horizons before the score date. score (0), evaluate (1) and train (2) always exist;
        back_3, back_4, ... follow as deep as the backtests need: fold i evaluates at i horizons
        back and trains on the training_cutoffs cutoffs before it, so the deepest is
        backtest_folds + training_cutoffs; with season_calibration, a year of horizons deeper
        (the season references, as backtests.season_lag in models_py). int_feature_cutoffs
        builds one row per role; models that sum every cutoff in one pass over the events (a
        column per role) loop over the same list. -#}
    {%- set folds = var_number('backtest_folds', minimum=1, maximum=12, whole=true) %}
    {%- set stacked = var_number('training_cutoffs', minimum=1, maximum=12, whole=true) %}
    {%- set season = var_number('season_calibration', minimum=0, maximum=1, whole=true) %}
    {%- set year = [(365.25 / checked_horizon_days()) | round | int, 1] | max if season else 0 %}
    {%- set roles = [
        {'role': 'score', 'horizons_back': 0},
        {'role': 'evaluate', 'horizons_back': 1},
        {'role': 'train', 'horizons_back': 2},
    ] %}
    {%- for back in range(3, folds + stacked + year + 1) %}
        {%- do roles.append({'role': 'back_' ~ back, 'horizons_back': back}) %}
    {%- endfor %}
    {{ return(roles) }}
{%- endmacro %}

{% macro cutoff_as_of_date(role) -%}
    {#- The as_of_date of cutoff `role`, as an aggregate over int_feature_cutoffs' rows (one row
        per role), for models that put every cutoff's date side by side. -#}
    max(case when cutoff_role = '{{ role }}' then as_of_date end)
{%- endmacro %}

{% macro value_at_cutoff(role_column, relation, name) -%}
    {#- Turns per-cutoff columns (<role>_<name> of `relation`, one per cutoff_roles entry)
        back into one value per row: the column of the cutoff named in `role_column`. -#}
    case {{ role_column }}
        {%- for cutoff in cutoff_roles() %} when '{{ cutoff.role }}' then {{ relation }}.{{ cutoff.role }}_{{ name }}{% endfor %}
    end
{%- endmacro %}
