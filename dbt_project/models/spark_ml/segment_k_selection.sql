-- On Spark: the table the ML step wrote for the Python model segment_k_selection (models/ml/segment_k_selection.py),
-- under the same name so that ref('segment_k_selection') works on both engines.
with final as (
    select * from {{ source('ml_step', 'segment_k_selection') }}
)

select * from final
