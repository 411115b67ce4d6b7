-- On Spark: the table the ML step wrote for the Python model customer_predictions (models/ml/customer_predictions.py),
-- under the same name so that ref('customer_predictions') works on both engines.
with final as (
    select * from {{ source('ml_step', 'customer_predictions') }}
)

select * from final
