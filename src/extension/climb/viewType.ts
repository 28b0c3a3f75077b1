/** The Climb view's webview type (package.json's onWebviewPanel activation event names it too). */
export const CLIMB_VIEW_TYPE = 'promptLadder.climb';
