-- On Spark: the table the ML step wrote for the Python model prediction_evaluation (models/reporting/prediction_evaluation.py),
-- under the same name so that ref('prediction_evaluation') works on both engines.
with final as (
    select * from {{ source('ml_step', 'prediction_evaluation') }}
)

select * from final
