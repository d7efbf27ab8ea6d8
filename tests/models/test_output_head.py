"""`body_and_head` splits a model only where the logits are the head applied to the body's hidden states."""

import torch

from traitrl.models.output_head import body_and_head


def test_a_llama_splits_into_its_body_and_head_and_they_give_its_logits(tiny):
    _, model = tiny
    body, head = body_and_head(model)
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.no_grad():
        assert torch.allclose(head(body(input_ids=ids).last_hidden_state), model(input_ids=ids).logits, atol=1e-6)


def test_a_model_that_caps_or_scales_its_logits_is_not_split(tiny):
    _, model = tiny
    for name, value in (("final_logit_softcapping", 30.0), ("logits_scaling", 8.0), ("logit_scale", 0.0625)):
        setattr(model.config, name, value)
        try:
            assert body_and_head(model) is None, name
        finally:
            delattr(model.config, name)
    model.config.logits_scaling = 1.0  # scaling by 1 changes nothing
    try:
        assert body_and_head(model) is not None
    finally:
        delattr(model.config, "logits_scaling")
