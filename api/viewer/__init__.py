"""The phone viewer: server-rendered node pages, QR images and a small unfolding script."""
