-- segment_model holds one row per segment and feature, k segments numbered 1..k, each with
-- customers and one unique name. Rows returned are the segments that break this.

with

segment_model as (
    select * from {{ ref('segment_model') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

segments as (
    select
        segment_id,
        max(k) as k,
        count(*) as feature_rows,
        count(distinct feature) as features,
        count(distinct segment_name) as names,
        max(segment_name) as segment_name,
        max(feature_list) as feature_list
    from segment_model
    group by segment_id
),

segment_count as (
    select count(*) as segments_in_model
    from segments
),

name_counts as (
    select
        segment_name,
        count(*) as segments_with_name
    from segments
    group by segment_name
),

assigned as (
    select
        segment_id,
        count(*) as customers
    from customer_segments
    group by segment_id
),

final as (
    select
        segments.segment_id,
        segments.segment_name,
        assigned.customers
    from segments
    inner join name_counts
        on segments.segment_name = name_counts.segment_name
    left join assigned
        on segments.segment_id = assigned.segment_id
    cross join segment_count
    where
        segments.feature_rows != segments.features
        or segments.names != 1
        or name_counts.segments_with_name != 1
        or segments.segment_id not between 1 and segments.k
        or coalesce(assigned.customers, 0) = 0
        or segment_count.segments_in_model != segments.k
)

select * from final
