"""Language-model backends behind one small interface; remote ones pass the privacy gate."""
