-- On Spark: the table the ML step wrote for the Python model model_metrics (models/ml/model_metrics.py),
-- under the same name so that ref('model_metrics') works on both engines.
with final as (
    select * from {{ source('ml_step', 'model_metrics') }}
)

select * from final
