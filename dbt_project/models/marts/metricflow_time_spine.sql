-- One row per calendar day from 1990-01-01 to 2050-12-31: the time spine MetricFlow requires and
-- reads for cumulative and time-offset metrics and filled gaps. Fixed bounds keep it compilable
-- without a built warehouse; a singular test warns if an order falls outside them.
{%- set first_day = "cast('1990-01-01' as date)" %}
{#- date_spine stops the day before its end date. #}
{%- set day_after_last = "cast('2051-01-01' as date)" %}

with

days as (
    {{ dbt.date_spine('day', first_day, day_after_last) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
