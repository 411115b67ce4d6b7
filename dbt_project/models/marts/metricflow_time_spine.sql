-- One row per calendar day, the time spine MetricFlow joins metrics to (metric_time, cumulative
-- windows, filled gaps). Fixed bounds keep it compilable without a built warehouse; a singular
-- test fails if an order falls outside them.
{%- set first_day = "cast('2000-01-01' as date)" %}
{%- set last_day = "cast('2050-12-31' as date)" %}

with

days as (
    {{ dbt.date_spine('day', first_day, last_day) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
