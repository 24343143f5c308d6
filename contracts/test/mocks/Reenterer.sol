// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITokenHooks} from "./HookToken.sol";

/**
 * @notice Attacker code, etched onto a participant's address (as an EIP-7702 delegated EOA could be).
 * Whenever it receives ETH or a token hook fires, it calls `target` with `data` once and records the
 * outcome instead of reverting, so the test can check that the outer call went through and the
 * inner one was refused.
 */
contract Reenterer is ITokenHooks {
    address public target;
    bytes public data;
    bool public armed;
    uint256 public attempts;
    bool public lastOk;
    bytes public lastResult;

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
        armed = true;
    }

    /// @notice Lets the test act as this address (the etched EOA) in calls that need approvals.
    function execute(address to, bytes calldata call) external returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call(call);
        require(ok, "Reenterer: execute failed");
        return ret;
    }

    function tokensToSend(address, address, uint256) external {
        _attack();
    }

    function tokensReceived(address, address, uint256) external {
        _attack();
    }

    receive() external payable {
        _attack();
    }

    function _attack() private {
        if (!armed) return;
        armed = false;
        ++attempts;
        (lastOk, lastResult) = target.call(data);
    }
}
