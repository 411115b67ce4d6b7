-- The SQL scoring (customer_segments_sql) picks the same segment as the Python scoring
-- (customer_segments) for every customer. Rows returned are failures: a customer scored by only
-- one side, a different segment unless both centroids are equally near (a tie within 1e-9), or a
-- distance that differs by more than 1e-6.

with

python_assignments as (
    select * from {{ ref('customer_segments') }}
),

sql_assignments as (
    select * from {{ ref('customer_segments_sql') }}
),

compared as (
    select
        coalesce(python_assignments.customer_id, sql_assignments.customer_id) as customer_id,
        python_assignments.segment_id as python_segment_id,
        sql_assignments.segment_id as sql_segment_id,
        python_assignments.distance_to_centroid as python_distance,
        sql_assignments.distance_to_centroid as sql_distance
    from python_assignments
    full outer join sql_assignments
        on python_assignments.customer_id = sql_assignments.customer_id
),

final as (
    select *
    from compared
    where
        python_segment_id is null
        or sql_segment_id is null
        or abs(python_distance - sql_distance) > 1e-6
        or (python_segment_id != sql_segment_id and abs(python_distance - sql_distance) > 1e-9)
)

select * from final
