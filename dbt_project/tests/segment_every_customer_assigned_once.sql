-- Every customer of customer_features gets exactly one segment, and only those customers do.

with

customer_features as (
    select * from {{ ref('customer_features') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

assignment_counts as (
    select
        customer_id,
        count(*) as assignments
    from customer_segments
    group by customer_id
),

final as (
    select
        coalesce(customer_features.customer_id, assignment_counts.customer_id) as customer_id,
        coalesce(assignment_counts.assignments, 0) as assignments
    from customer_features
    full outer join assignment_counts
        on customer_features.customer_id = assignment_counts.customer_id
    where
        customer_features.customer_id is null
        or assignment_counts.assignments is null
        or assignment_counts.assignments != 1
)

select * from final
