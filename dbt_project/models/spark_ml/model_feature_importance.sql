-- On Spark: the table the ML step wrote for the Python model model_feature_importance (models/ml/model_feature_importance.py),
-- under the same name so that ref('model_feature_importance') works on both engines.
with final as (
    select * from {{ source('ml_step', 'model_feature_importance') }}
)

select * from final
