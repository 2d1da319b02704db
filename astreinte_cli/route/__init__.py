"""`astreinte route`: the dial plan a phone system follows for a call arriving at an instant
(:mod:`.plan`), its documents (:mod:`.documents`), the roster it is computed from
(:mod:`.source`), the HTTP route service (:mod:`.service`) and the phone-system recipes
(:mod:`.recipes`)."""
