-- The floor: one hand-written DuckDB statement from the raw files straight to customer_features
-- at the score cutoff (the last clean order date), with the same cleaning, deduplication and
-- quarantine rules as the dbt staging models (docs/contracts.md), no dbt and no intermediate
-- tables. Placeholders in braces are filled by bench/floor.py: the four raw relations, the
-- test-account email domain, the price-outlier ratio, the max valid order date and the
-- share_<category> select list.
with raw_customers as (
    select
        cast(customer_id as varchar) as raw_customer_id,
        cast(email as varchar) as raw_email,
        cast(gender as varchar) as raw_gender,
        cast(date_of_birth as varchar) as raw_date_of_birth,
        cast(city as varchar) as raw_city,
        cast(signup_date as varchar) as raw_signup_date,
        cast(loyalty_tier as varchar) as raw_loyalty_tier,
        cast(updated_at as varchar) as raw_updated_at,
        cast(name as varchar) as raw_name,
        cast(phone as varchar) as raw_phone
    from {customers}
),

customers_cleaned as (
    select
        *,
        nullif(trim(raw_customer_id), '') as customer_id,
        lower(nullif(trim(raw_email), '')) as email,
        lower(nullif(trim(raw_gender), '')) as gender_text,
        nullif(trim(raw_date_of_birth), '') as dob_text,
        try_strptime(nullif(trim(raw_date_of_birth), ''), {formats}) as dob_ts,
        coalesce(regexp_replace(nullif(trim(raw_city), ''), '\s+', ' ', 'g'), 'unknown') as city,
        nullif(trim(raw_signup_date), '') as signup_text,
        try_strptime(nullif(trim(raw_signup_date), ''), {formats}) as signup_ts,
        coalesce(lower(nullif(trim(raw_loyalty_tier), '')), 'none') as loyalty_tier,
        nullif(trim(raw_updated_at), '') as updated_at_text,
        try_strptime(nullif(trim(raw_updated_at), ''), {formats}) as updated_at
    from raw_customers
),

test_customers as (
    select distinct customer_id
    from customers_cleaned
    where customer_id is not null and email like '%@{test_domain}'
),

clean_customers as (
    select
        customer_id,
        case
            when gender_text in ('f', 'female', 'woman', 'w') then 'female'
            when gender_text in ('m', 'male', 'man') then 'male'
            when gender_text in ('o', 'other', 'non-binary', 'nonbinary', 'x') then 'other'
            else 'unknown'
        end as gender,
        cast(dob_ts as date) as date_of_birth,
        city,
        loyalty_tier
    from customers_cleaned
    where customer_id is not null
        and customer_id not in (select customer_id from test_customers)
    qualify
        row_number() over (
            partition by customer_id
            order by updated_at desc nulls last, raw_customer_id, raw_name, raw_email,
                raw_phone, raw_gender, raw_date_of_birth, raw_city, raw_signup_date,
                raw_loyalty_tier, raw_updated_at
        ) = 1
        and not (updated_at_text is not null and updated_at is null)
        and not (dob_text is not null and dob_ts is null)
        and not (signup_text is not null and signup_ts is null)
        and loyalty_tier in ('none', 'silver', 'gold', 'platinum')
),

raw_orders as (
    select
        cast(order_id as varchar) as raw_order_id,
        cast(customer_id as varchar) as raw_customer_id,
        cast(store as varchar) as raw_store,
        cast(channel as varchar) as raw_channel,
        cast(order_ts as varchar) as raw_order_ts,
        cast(status as varchar) as raw_status,
        cast(updated_at as varchar) as raw_updated_at
    from {orders}
),

orders_cleaned as (
    select
        *,
        nullif(trim(raw_order_id), '') as order_id,
        nullif(trim(raw_customer_id), '') as customer_id,
        lower(nullif(trim(raw_channel), '')) as channel,
        nullif(trim(raw_order_ts), '') as order_ts_text,
        try_strptime(nullif(trim(raw_order_ts), ''), {formats}) as ordered_at,
        lower(nullif(trim(raw_status), '')) as status,
        nullif(trim(raw_updated_at), '') as updated_at_text,
        try_strptime(nullif(trim(raw_updated_at), ''), {formats}) as updated_at
    from raw_orders
),

orders_current as (
    -- The latest version of each order, and whether any version belongs to a test account.
    select
        *,
        bool_or(customer_id in (select customer_id from test_customers))
            over (partition by order_id) as is_test_order
    from orders_cleaned
    where order_id is not null
    qualify
        row_number() over (
            partition by order_id
            order by updated_at desc nulls last, raw_order_id, raw_customer_id, raw_store,
                raw_channel, raw_order_ts, raw_status, raw_updated_at
        ) = 1
),

clean_orders as (
    select
        order_id,
        customer_id,
        channel,
        status,
        cast(ordered_at as date) as order_date
    from orders_current
    where not coalesce(is_test_order, false)
        and customer_id is not null
        and ordered_at is not null
        and cast(ordered_at as date) <= {max_valid_date}
        and not (updated_at_text is not null and updated_at is null)
        and status in ('completed', 'cancelled', 'returned')
        and channel in ('store', 'online')
),

products_cleaned as (
    select
        cast(product_id as varchar) as raw_product_id,
        cast(product_name as varchar) as raw_product_name,
        cast(category as varchar) as raw_category,
        cast(brand as varchar) as raw_brand,
        cast(list_price as varchar) as raw_list_price,
        nullif(trim(cast(product_id as varchar)), '') as product_id,
        coalesce(
            lower(regexp_replace(nullif(trim(cast(category as varchar)), ''), '\s+', ' ', 'g')),
            'unknown'
        ) as category,
        try_cast(nullif(trim(cast(list_price as varchar)), '') as decimal(18, 2)) as list_price
    from {products}
),

clean_products as (
    select
        product_id,
        category,
        list_price
    from products_cleaned
    where product_id is not null and list_price is not null and list_price >= 0
    qualify
        row_number() over (
            partition by product_id
            order by raw_product_id, raw_product_name, raw_category, raw_brand, raw_list_price
        ) = 1
),

lines_cleaned as (
    select
        cast(order_id as varchar) as raw_order_id,
        cast(line_number as varchar) as raw_line_number,
        cast(product_id as varchar) as raw_product_id,
        cast(quantity as varchar) as raw_quantity,
        cast(unit_price as varchar) as raw_unit_price,
        cast(discount as varchar) as raw_discount,
        nullif(trim(cast(order_id as varchar)), '') as order_id,
        try_cast(nullif(trim(cast(line_number as varchar)), '') as integer) as line_number,
        nullif(trim(cast(product_id as varchar)), '') as product_id,
        try_cast(nullif(trim(cast(quantity as varchar)), '') as integer) as quantity,
        try_cast(nullif(trim(cast(unit_price as varchar)), '') as decimal(18, 2)) as unit_price,
        coalesce(
            try_cast(nullif(trim(cast(discount as varchar)), '') as decimal(18, 2)),
            case when nullif(trim(cast(discount as varchar)), '') is null then 0 end
        ) as discount
    from {order_lines}
),

clean_lines as (
    -- Valid lines of clean orders and clean products; of several valid records sharing
    -- (order_id, line_number), the first by raw values is kept.
    select
        lines_cleaned.order_id,
        clean_products.category,
        cast(lines_cleaned.quantity * lines_cleaned.unit_price as decimal(18, 2)) as gross_amount,
        cast(
            lines_cleaned.quantity * lines_cleaned.unit_price - lines_cleaned.discount
            as decimal(18, 2)
        ) as net_amount,
        lines_cleaned.discount
    from lines_cleaned
    inner join clean_orders on lines_cleaned.order_id = clean_orders.order_id
    inner join clean_products on lines_cleaned.product_id = clean_products.product_id
    where lines_cleaned.line_number is not null
        and lines_cleaned.quantity is not null
        and lines_cleaned.unit_price is not null
        and lines_cleaned.unit_price >= 0
        and lines_cleaned.discount is not null
        and not lines_cleaned.unit_price > {price_outlier_ratio} * clean_products.list_price
    qualify
        row_number() over (
            partition by lines_cleaned.order_id, lines_cleaned.line_number
            order by lines_cleaned.raw_order_id, lines_cleaned.raw_line_number,
                lines_cleaned.raw_product_id, lines_cleaned.raw_quantity,
                lines_cleaned.raw_unit_price, lines_cleaned.raw_discount
        ) = 1
),

order_totals as (
    select
        order_id,
        sum(gross_amount) as gross_amount,
        sum(discount) as discount_amount,
        sum(net_amount) as net_amount
    from clean_lines
    group by order_id
),

orders_with_totals as (
    select
        clean_orders.*,
        coalesce(order_totals.gross_amount, 0) as gross_amount,
        coalesce(order_totals.discount_amount, 0) as discount_amount,
        case
            when clean_orders.status = 'completed' then coalesce(order_totals.net_amount, 0)
            else 0
        end as spend_amount
    from clean_orders
    left join order_totals on clean_orders.order_id = order_totals.order_id
),

cutoff as (
    select max(order_date) as as_of_date from clean_orders
),

behaviour as (
    select
        o.customer_id,
        any_value(c.as_of_date) as as_of_date,
        min(case when o.status = 'completed' then o.order_date end) as first_order_date,
        max(case when o.status = 'completed' then o.order_date end) as last_order_date,
        count(*) filter (where o.status = 'completed') as frequency,
        count(*) filter (where o.status = 'returned') as returned_orders,
        count(*) filter (where o.status = 'completed' and o.channel = 'online') as online_orders,
        sum(case when o.status = 'completed' then o.gross_amount else 0 end) as gross_amount,
        sum(case when o.status = 'completed' then o.discount_amount else 0 end) as discount_amount,
        sum(o.spend_amount) as monetary,
        sum(case when c.as_of_date - o.order_date < 30 then o.spend_amount else 0 end)
            as spend_last_30d,
        sum(case when c.as_of_date - o.order_date < 90 then o.spend_amount else 0 end)
            as spend_last_90d,
        sum(case when c.as_of_date - o.order_date < 365 then o.spend_amount else 0 end)
            as spend_last_365d,
        count(*) filter (where o.status = 'completed' and c.as_of_date - o.order_date < 90)
            as orders_last_90d
    from orders_with_totals as o
    cross join cutoff as c
    where o.order_date <= c.as_of_date
    group by o.customer_id
    having count(*) filter (where o.status = 'completed') > 0
),

category_spend as (
    select
        o.customer_id,
        l.category,
        sum(l.net_amount) as spend_amount
    from clean_lines as l
    inner join orders_with_totals as o on l.order_id = o.order_id
    where o.status = 'completed'
    group by o.customer_id, l.category
),

categories as (
    select
        customer_id,
        count(*) as distinct_categories,
        sum(spend_amount) as category_spend,
        first(category order by spend_amount desc, category) filter (where spend_amount > 0)
            as favourite_category,
        {share_sums}
    from category_spend
    group by customer_id
),

scored as (
    select
        b.*,
        b.as_of_date - b.last_order_date as recency_days,
        b.as_of_date - b.first_order_date as tenure_days,
        ntile(5) over (order by b.as_of_date - b.last_order_date desc, b.customer_id)
            as r_score,
        ntile(5) over (order by b.frequency, b.customer_id) as f_score,
        ntile(5) over (order by b.monetary, b.customer_id) as m_score
    from behaviour as b
),

final as (
    select
        s.customer_id,
        s.as_of_date,
        s.first_order_date,
        s.last_order_date,
        cast(s.recency_days as integer) as recency_days,
        cast(s.tenure_days as integer) as tenure_days,
        s.frequency,
        cast(s.monetary as decimal(18, 2)) as monetary,
        cast(s.monetary / s.frequency as decimal(18, 2)) as aov,
        s.frequency * 30.0 / greatest(s.tenure_days, 30) as orders_per_month,
        case
            when s.frequency > 1
                then (s.last_order_date - s.first_order_date) / (s.frequency - 1.0)
        end as avg_days_between_orders,
        cast(s.spend_last_30d as decimal(18, 2)) as spend_last_30d,
        cast(s.spend_last_90d as decimal(18, 2)) as spend_last_90d,
        cast(s.spend_last_365d as decimal(18, 2)) as spend_last_365d,
        s.orders_last_90d,
        cast(s.monetary as decimal(18, 2)) as clv_historical,
        s.returned_orders / nullif(s.frequency + s.returned_orders, 0)::double as return_rate,
        case when s.gross_amount > 0 then s.discount_amount / s.gross_amount end
            as discount_share,
        s.online_orders / s.frequency::double as online_share,
        coalesce(cat.distinct_categories, 0) as distinct_categories,
        cat.favourite_category,
        {share_columns}
        coalesce(cc.gender, 'unknown') as gender,
        cast(
            date_diff('year', cc.date_of_birth, s.as_of_date)
            - case
                when date_add(cc.date_of_birth, to_years(date_diff('year', cc.date_of_birth, s.as_of_date)))
                    > s.as_of_date then 1 else 0
            end as integer
        ) as age,
        coalesce(cc.city, 'unknown') as city,
        coalesce(cc.loyalty_tier, 'unknown') as loyalty_tier,
        s.r_score,
        s.f_score,
        s.m_score,
        cast(floor((s.f_score + s.m_score + 1) / 2.0) as integer) as fm_score
    from scored as s
    left join categories as cat on s.customer_id = cat.customer_id
    left join clean_customers as cc on s.customer_id = cc.customer_id
)

select
    * exclude (fm_score),
    case
        when age is null then 'unknown'
        when age < 18 then '<18'
        when age < 25 then '18-24'
        when age < 35 then '25-34'
        when age < 45 then '35-44'
        when age < 55 then '45-54'
        when age < 65 then '55-64'
        else '65+'
    end as age_band,
    r_score::varchar || f_score::varchar || m_score::varchar as rfm_score,
    case
        when r_score = 5 and fm_score >= 4 then 'champions'
        when r_score >= 3 and fm_score >= 4 then 'loyal'
        when r_score >= 4 and fm_score >= 2 then 'potential_loyalists'
        when r_score = 5 then 'new'
        when r_score = 4 then 'promising'
        when r_score = 3 and fm_score = 3 then 'need_attention'
        when r_score = 3 then 'about_to_sleep'
        when fm_score = 5 then 'cannot_lose'
        when fm_score >= 3 then 'at_risk'
        when r_score = 1 and fm_score = 1 then 'lost'
        else 'hibernating'
    end as rfm_segment
from final
