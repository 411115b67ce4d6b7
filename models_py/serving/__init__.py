"""What the warehouse serves: the published file BI tools open (publish.py) and hashed audience
lists for marketing (audiences.py)."""
