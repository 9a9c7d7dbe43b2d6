"""sample_scans"""
