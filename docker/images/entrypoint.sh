#!/bin/bash
# Pterodactyl-yolk-style entrypoint: expands {{VAR}} in STARTUP from the environment and
# replaces itself with the game process, so stop signals reach the game directly.
cd /home/container || exit 1
MODIFIED_STARTUP=$(echo -e "${STARTUP}" | sed -e 's/{{/${/g' -e 's/}}/}/g')
echo ":/home/container$ ${MODIFIED_STARTUP}"
eval "exec ${MODIFIED_STARTUP}"
