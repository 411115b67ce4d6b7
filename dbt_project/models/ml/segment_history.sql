-- Every run's assignments, appended: one row per (run_id, customer_id). A run already stored is
-- not appended twice. `dbt build --full-refresh` starts the history again.
{{ config(materialized='incremental', on_schema_change='append_new_columns') }}

with

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

segment_model as (
    select * from {{ ref('segment_model') }}
),

run_fits as (
    select
        run_id,
        max(fitted_at) as fitted_at
    from segment_model
    group by run_id
),

final as (
    select
        customer_segments.run_id,
        run_fits.fitted_at,
        customer_segments.as_of_date,
        customer_segments.customer_id,
        customer_segments.segment_id,
        customer_segments.segment_name,
        customer_segments.distance_to_centroid
    from customer_segments
    inner join run_fits
        on customer_segments.run_id = run_fits.run_id
    {%- if is_incremental() %}
        where customer_segments.run_id not in (select stored.run_id from {{ this }} as stored)
    {%- endif %}
)

select * from final
