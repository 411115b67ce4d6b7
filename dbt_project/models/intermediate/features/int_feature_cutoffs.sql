-- The cutoffs features and labels are computed at: T (score), T - H (evaluate), T - 2H (train) and
-- the deeper backtest cutoffs T - 3H (back_3), ..., where T is var as_of_date (default: the last
-- clean order date) and H is var horizon_days.
-- Everything downstream takes its cutoffs from these rows, so the cutoff and horizon are the
-- only things that differ between snapshots. The roles and their steps come from
-- cutoff_roles(), which the models that pivot per cutoff loop over too.
{%- set as_of_date = configured_as_of_date() %}
{%- set horizon_days = checked_horizon_days() %}
{%- set cutoff_selects = [] %}
{%- for cutoff in cutoff_roles() %}
    {%- do cutoff_selects.append(
        'select ' ~ add_days('as_of_date', -1 * cutoff.horizons_back * horizon_days)
        ~ " as as_of_date, '" ~ cutoff.role ~ "' as cutoff_role, data_end_date from score_cutoff") %}
{%- endfor %}

with

orders as (
    select * from {{ ref('int_orders') }}
),

data_bounds as (
    select max(order_date) as data_end_date
    from orders
),

score_cutoff as (
    select
        {% if as_of_date is none -%}
            data_end_date as as_of_date,
        {%- else -%}
            cast('{{ as_of_date }}' as date) as as_of_date,
        {%- endif %}
        data_end_date
    from data_bounds
),

cutoffs as (
    {{ cutoff_selects | join('\n    union all\n    ') }}
),

final as (
    select
        as_of_date,
        cutoff_role,
        cast({{ horizon_days }} as integer) as horizon_days,
        {{ add_days('as_of_date', horizon_days) }} as horizon_end_date,
        data_end_date,
        coalesce({{ add_days('as_of_date', horizon_days) }} <= data_end_date, false)
            as is_horizon_complete
    from cutoffs
)

select * from final
