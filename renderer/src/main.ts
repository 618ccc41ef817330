import { mount } from 'svelte';
import App from './App.svelte';
import { createApiClient } from './api/create-api-client.js';
import { appState } from './state/app-state.svelte.js';
import './styles/global.css';

appState.attach(createApiClient((connected) => appState.setConnected(connected)));
void appState.refresh();
mount(App, { target: document.getElementById('app')! });
