"""Read models: what a person sees assembled from several features (the App Home, the
``status`` dashboard). They depend on the features; no feature imports them."""
