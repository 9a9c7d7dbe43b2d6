"""Readers: turn the pixels of one kind of field box into a value and a confidence.

Each module reads one kind of ink and is pure (numpy crops in, dataclasses out):

* ``handwriting``: handwritten codes, times, dates, numbers and short text, read by a small
  CRNN (convolutions, a bidirectional LSTM, CTC) that runs in onnxruntime from the weights in
  ``extractors/models/``, with constrained decoding so that what it returns parses as the
  field's type. Trained by ``python -m train.handwriting`` on synthesised crops.
"""
