-- One row naming this dbt invocation. Every ML model reads its run id from here, so all tables a
-- run writes share one id. Rendered at execution time, so the id is the current invocation's.
with final as (
    select
        '{{ invocation_id }}' as run_id,
        current_timestamp as started_at
)

select * from final
