-- On Spark: the table the ML step wrote for the Python model model_calibration (models/ml/model_calibration.py),
-- under the same name so that ref('model_calibration') works on both engines.
with final as (
    select * from {{ source('ml_step', 'model_calibration') }}
)

select * from final
