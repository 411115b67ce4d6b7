-- On Spark: the table the ML step wrote for the Python model segment_model (models/ml/segment_model.py),
-- under the same name so that ref('segment_model') works on both engines.
with final as (
    select * from {{ source('ml_step', 'segment_model') }}
)

select * from final
