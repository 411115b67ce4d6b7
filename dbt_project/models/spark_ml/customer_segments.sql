-- On Spark: the table the ML step wrote for the Python model customer_segments (models/ml/customer_segments.py),
-- under the same name so that ref('customer_segments') works on both engines.
with final as (
    select * from {{ source('ml_step', 'customer_segments') }}
)

select * from final
