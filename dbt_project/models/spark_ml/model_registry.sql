-- On Spark: the table the ML step wrote for the Python model model_registry (models/ml/model_registry.py),
-- under the same name so that ref('model_registry') works on both engines.
with final as (
    select * from {{ source('ml_step', 'model_registry') }}
)

select * from final
